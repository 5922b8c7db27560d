#!/usr/bin/env python3
"""Reads rendered text lines with PP-OCRv4's recognition network (OpenVINO's Python package) and
with Tesseract (through scripts/tuning/tess-lines.c), and counts exact readings of each and of
either. A prototype measurement for issue 11, item 2; not part of the build or the tests.

    gcc -O2 scripts/tuning/tess-lines.c -o /tmp/tess-lines -ltesseract
    python3 -m venv /tmp/ovenv && /tmp/ovenv/bin/pip install openvino==2026.4.1 pillow numpy
    LO=9 HI=16 TESS=/tmp/tess-lines /tmp/ovenv/bin/python scripts/tuning/recognisers.py SEED COUNT [-v]
"""
import openvino as ov, numpy as np, subprocess, random, os, sys, io, tempfile

# Minimal protobuf walk: ModelProto field 14 = metadata_props (StringStringEntryProto: 1 key, 2 value)
def varint(b,i):
    r=0;s=0
    while True:
        c=b[i];i+=1;r|=(c&0x7f)<<s;s+=7
        if c<0x80: return r,i
def fields(b):
    i=0
    while i<len(b):
        k,i=varint(b,i); f,t=k>>3,k&7
        if t==0: v,i=varint(b,i)
        elif t==1: v=b[i:i+8];i+=8
        elif t==5: v=b[i:i+4];i+=4
        elif t==2:
            n,i=varint(b,i); v=b[i:i+n]; i+=n
        else: raise Exception('wire %d'%t)
        yield f,t,v
def metadata(path):
    b=open(path,'rb').read(); out={}
    for f,t,v in fields(b):
        if f==14:
            d={ff:vv for ff,tt,vv in fields(v)}
            out[d[1].decode()]=d[2].decode()
    return out

from PIL import Image
TESS=os.environ.get('TESS','/tmp/tess-lines')
TMP=os.path.join(tempfile.mkdtemp(),'line.pgm')
M=os.path.expanduser(os.environ.get('REC_MODEL','~/.cache/obscura/models/ch_PP-OCRv4_rec_infer.onnx'))
chars=['blank']+metadata(M)['character'].split('\n')+[' ']
core=ov.Core(); cm=core.compile_model(M,'CPU',{'INFERENCE_NUM_THREADS':'2','INFERENCE_PRECISION_HINT':'f32'})
req=cm.create_infer_request()
def ppocr(img):  # PIL grey/rgb
    img=img.convert('RGB'); w,h=img.size; W=max(8,int(round(48*w/h)))
    a=np.asarray(img.resize((W,48),Image.BILINEAR),dtype=np.float32)/255.
    a=(a-0.5)/0.5; a=a.transpose(2,0,1)[None]
    out=req.infer({0:a})[0][0]
    idx=out.argmax(1); p=out.max(1); s=[];conf=[];prev=0
    for t,(i,pp) in enumerate(zip(idx,p)):
        if i!=0 and i!=prev: s.append(chars[i]); conf.append(pp)
        prev=i
    return ''.join(s), float(np.mean(conf)) if conf else 0
def tess(img):
    img.convert('L').save(TMP)
    r=subprocess.run([TESS,TMP],capture_output=True)
    return r.stdout.decode().strip()
fonts=['DejaVu-Sans','DejaVu-Serif','Liberation-Sans','Liberation-Serif','Liberation-Mono','FreeSans','FreeSerif','FreeMono','DejaVu-Sans-Mono']
rng=random.Random(int(sys.argv[1]) if len(sys.argv)>1 else 1)
def digits(n): return ''.join(rng.choice('0123456789') for _ in range(n))
def sample():
    k=rng.randrange(5)
    if k==0: return 'DE'+digits(2)+' '+' '.join(digits(4) for _ in range(4))+' '+digits(2)
    if k==1: return '-'.join(digits(4) for _ in range(4)) if rng.random()<.5 else ' '.join(digits(4) for _ in range(4))
    if k==2: return rng.choice(['maria.gonzalez','j.becker','anna_rossi','tom88'])+'@'+rng.choice(['example.com','mail.de','posteo.net'])
    if k==3: return rng.choice(['Maria Gonzalez','Jonas Becker','Anna Rossi','Pierre Dubois','Jan de Vries'])
    return 'FR76'+digits(23)
def norm(s): return ''.join(s.split()).lower()
N=int(sys.argv[2]) if len(sys.argv)>2 else 60
ok_p=ok_t=ok_u=0
for i in range(N):
    text=sample(); font=rng.choice(fonts); size=rng.randint(int(os.environ.get('LO','12')),int(os.environ.get('HI','32'))); ang=rng.uniform(-2,2)
    noise=rng.choice([0,0.5,1.0,1.5]); blur=rng.choice([0,0.6,1.0,1.3]); q=rng.randint(60,95)
    bg=rng.choice(['white','#f4f1ea','#202428']); fg='black' if bg!='#202428' else '#f0f0f0'
    cmd=['convert','-seed',str(i),'-background',bg,'-fill',fg,'-font',font,'-pointsize',str(size),'label:'+text,'-bordercolor',bg,'-border',f'{size//3}x{size//4}','-rotate',f'{ang:.2f}']
    if blur: cmd+=['-blur',f'0x{blur}']
    if noise: cmd+=['-attenuate',str(noise),'+noise','Gaussian']
    cmd+=['-quality',str(q),'jpg:-']
    img=Image.open(io.BytesIO(subprocess.run(cmd,capture_output=True).stdout))
    # emulate the pipeline: enlarge to 48 px high for tesseract (max 4x)
    s=min(4,max(1,48/img.height)); big=img.resize((int(img.width*s),int(img.height*s)),Image.BILINEAR) if s>1 else img
    p,c=ppocr(img); t=tess(big)
    okp=norm(p)==norm(text); okt=norm(t)==norm(text); ok_p+=okp; ok_t+=okt; ok_u+=(okp or okt)
    if '-v' in sys.argv: print(f'{text!r:40} {font:20} {size:2} {bg:8} P{int(okp)} {p!r} T{int(okt)} {t!r}')
print('ppocr',ok_p,'tesseract',ok_t,'either',ok_u,'of',N)
